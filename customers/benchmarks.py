"""Pages that later apps add to `manage.py benchmark`.

`customers` imports no other app, so each app appends a function here from its
`AppConfig.ready()`. The function takes no arguments and returns a list of
(label, url, headers) for pages worth measuring on the current data, or [] when the data
has nothing for them (the benchmark says so).
"""

pages = []
