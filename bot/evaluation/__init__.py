"""Conversation tests: scripted dialogues that evaluators write, run in every language.

`conversations` reads the YAML files, `runner` sends them through the real engine and
checks every answer, `report` turns the results into a summary, an HTML report and JUnit XML.
"""
