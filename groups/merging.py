"""How a merge treats group places: moved to the survivor, or folded when both share a group."""

from groups.models import GroupMember, Role

#: The stronger role wins when two places in one group fold into one.
STRENGTH = {Role.OWNER: 0, Role.ADMIN: 1, Role.DEPENDENT: 2}


def _places(customer):
    return list(GroupMember.objects.select_related("group").filter(customer=customer))


def block(survivor, absorbed):
    """Two different groups: the receptionist decides which one the survivor stays in."""
    mine, theirs = _places(survivor), _places(absorbed)
    if mine and theirs and {m.group_id for m in mine} != {m.group_id for m in theirs}:
        return (
            f"{survivor.full_name} is in {', '.join(m.group.name for m in mine)} and {absorbed.full_name} "
            f"is in {', '.join(m.group.name for m in theirs)}: remove one of them from their group first."
        )
    return None


def fold(survivor, absorbed, journal):
    """In the same group, keep the survivor's place, with the stronger role of the two."""
    mine = {m.group_id: m for m in GroupMember.objects.select_for_update().filter(customer=survivor)}
    theirs = [
        m for m in GroupMember.objects.select_for_update().filter(customer=absorbed) if m.group_id in mine
    ]
    if not theirs:
        return
    # Gone first, so that an Owner's place is free before the survivor takes the role.
    journal.delete(GroupMember.objects.filter(pk__in=[m.pk for m in theirs]))
    stronger = []
    for place in theirs:
        kept = mine[place.group_id]
        if STRENGTH[place.role] < STRENGTH[kept.role]:
            several = kept.in_several_groups and place.role == Role.ADMIN
            journal.change(kept, role=place.role, in_several_groups=several)
            stronger.append(kept)
    GroupMember.objects.bulk_update(stronger, ["role", "in_several_groups", "version"])
