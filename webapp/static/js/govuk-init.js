// start GOV.UK Frontend's components (error summary focus, radios' conditional parts, ...)
import { initAll } from '/vendor/govuk-frontend/govuk-frontend.min.js'

initAll()
