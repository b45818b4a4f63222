def make_groups(stdout):
    pass
