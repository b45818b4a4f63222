"""How a merge treats links: moved to the survivor; a link both had to the same customer
folds into one with the wider permissions; a link between the two themselves goes."""

from linking.models import PERMISSION_FIELDS, Link


def fold(survivor, absorbed, journal):
    pair = [survivor.pk, absorbed.pk]
    # A link between the two would become a link to oneself.
    journal.delete(Link.objects.filter(agent__in=pair, principal__in=pair))
    theirs = {link.principal_id: link for link in Link.objects.select_for_update().filter(agent=absorbed)}
    mine = {
        link.principal_id: link
        for link in Link.objects.select_for_update().filter(agent=survivor, principal__in=list(theirs))
    }
    if not mine:
        return
    thirds = list(mine)
    back_theirs = {link.agent_id: link for link in Link.objects.filter(principal=absorbed, agent__in=thirds)}
    back_mine = {link.agent_id: link for link in Link.objects.filter(principal=survivor, agent__in=thirds)}
    kept, gone = [], []
    for third in thirds:
        for keep, drop in ((mine[third], theirs[third]), (back_mine[third], back_theirs[third])):
            wider = {name: getattr(keep, name) or getattr(drop, name) for name in PERMISSION_FIELDS}
            journal.change(keep, **wider)
            kept.append(keep)
            gone.append(drop.pk)
    journal.delete(Link.objects.filter(pk__in=gone))
    Link.objects.bulk_update(kept, [*PERMISSION_FIELDS, "version"])
