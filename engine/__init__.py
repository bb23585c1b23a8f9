"""The workflow engine: SpiffWorkflow with a safe expression language, the Camunda 7 extras
it ignores, spec storage by content hash and an instance runner. Imports no Flask."""
