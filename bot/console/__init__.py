"""The staff console: a web page inside `masar serve` for the NGO staff who own Masar's words.

It shows what people asked that Masar could not answer (masked, without who asked), how far
the campaign reaches (daily counts, never per user), the content's health, and a chat box to
try an answer before telling people about it. Modules, each small:

- store.py      the console's SQLite file in the data directory: staff, sessions, questions,
                counts (the only place the console keeps anything)
- passwords.py  scrypt password hashes
- auth.py       sessions, CSRF tokens, login rate limits, the gate every route passes
- hook.py       how the engine and the layers tell the console what happened (one call each)
- record.py     what is kept of an unanswered question, and the daily counts
- grouping.py   similar questions side by side
- suggest.py    "add as an example to topic X": a file under content/suggestions/ for review
- charts.py     inline SVG charts, drawn on the server
- pages.py      the HTML of every page (no script library, no external file or font)
- views.py      the routes
- users.py      `masar console add-user | remove-user | list-users`

The console is off (every route answers 404) until a staff account exists.
"""
