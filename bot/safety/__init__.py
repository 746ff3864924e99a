"""Safety checks that run before the model: emergencies first, always."""
