"""One way for an app to plug into the apps below it: its `hooks.py` declares what it adds.

Lower apps never import the apps above them (DESIGN.md's map), so a lower app offers a
hook point, a name such as "profile_tab" or "merge_rule", and reads what was declared
under it. Each app's `hooks.py` is imported once at start-up by `autodiscover()`
(CoreConfig.ready), the way the admin finds `admin.py`, so everything an app adds to the
others is in one file.

An entry may be the thing itself or the dotted path to it ("groups.demo.make_groups"),
imported only when somebody asks for that hook point. Demo data and benchmarks are
declared that way, so only the commands that use them load their code.
"""

from collections import defaultdict

from django.utils.module_loading import autodiscover_modules, import_string

#: What each hook point is for, so a misspelt point fails at start-up, not silently.
POINTS = {
    "profile_tab": "a tab of the customer profile (customers.tabs.Tab)",
    "summary_panel": "a section of the profile's Summary tab (customers.tabs.Panel)",
    "menu_item": "an entry in the top menu (core.menu.MenuItem)",
    "merge_rule": "how a merge treats a foreign key to Customer (customers.merging.MergeRule)",
    "copy_rule": "who else gets a copy of an email about a customer (mail)",
    "list_addon": "filters, a column and bulk actions on the customer list (customers.listing.ListAddon)",
    "client_group_rule": "a rule a rule-based client group can use (client_groups.rules.RuleType)",
    "demo_step": "a function of (stdout,) that adds the app's demo data",
    "demo_scale_step": "a function of (stdout, first_new_id, count) for load_demo_data --scale",
    "benchmark_pages": "a function returning [(label, url, headers)] for manage.py benchmark",
    "benchmark_actions": "a function returning [(label, action)] for manage.py benchmark",
    "history_action": "an action a History line records: its code, area and sentence (customers.history)",
}

_declared = defaultdict(list)
_loaded = {}
_keyed = {}


def register(point, *entries):
    """Declare each of `entries` under `point`, in order."""
    if point not in POINTS:
        raise ValueError(f"No hook point named {point!r}; the points are {', '.join(sorted(POINTS))}.")
    _declared[point].extend(entries)
    _loaded.pop(point, None)
    for keyed in [keyed for keyed in _keyed if keyed[0] == point]:
        del _keyed[keyed]


def entries(point):
    """What the apps declared under `point`, in the order of INSTALLED_APPS; dotted paths
    are imported on first use."""
    if point not in POINTS:
        raise ValueError(f"No hook point named {point!r}.")
    if point not in _loaded:
        _loaded[point] = tuple(
            import_string(entry) if isinstance(entry, str) else entry for entry in _declared[point]
        )
    return _loaded[point]


def by_key(point, key):
    """What the apps declared under `point`, as {key(entry): entry} in declaration order;
    a key declared twice is an error, said at first use. Built once per point."""
    if (point, key) not in _keyed:
        keyed = {}
        for entry in entries(point):
            name = key(entry)
            if name in keyed:
                raise ValueError(f"{name!r} is declared twice under the hook point {point!r}.")
            keyed[name] = entry
        _keyed[(point, key)] = keyed
    return _keyed[(point, key)]


def autodiscover():
    autodiscover_modules("hooks")
