"""Pages that later apps add to `manage.py benchmark`.

`customers` imports no other app, so each app appends a function here from its
`AppConfig.ready()`. The function takes no arguments and returns a list of
(label, url, headers) for pages worth measuring on the current data, or [] when the data
has nothing for them (the benchmark says so).
"""

pages = []

#: Writes that later apps add to `manage.py benchmark`: functions of no arguments that
#: return a list of (label, action). An action runs inside a transaction the benchmark
#: rolls back; action(count=False) prepares what it needs untimed and returns the seconds
#: its own work took, and with count=True sets `action.queries` to its own query count.
actions = []
