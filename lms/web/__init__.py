"""The web layer: one blueprint per audience, thin views over services."""
