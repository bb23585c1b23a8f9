// what GOV.UK's page template does inline, from a file: the Content Security Policy allows no inline script
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
