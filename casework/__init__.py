"""The case record and the service layer: what happens to a case, in one transaction per
step, over the engine, the handlers and the database."""
