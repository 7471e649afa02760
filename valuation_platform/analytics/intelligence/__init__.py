"""Event analysis: the structured-output schema, the rule-based analyzer and the bounds on driver moves."""
