"""Masar's Rasa NLU components (GraphComponent API), referenced from config.yml."""
