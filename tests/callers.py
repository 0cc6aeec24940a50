"""The callers tests open the run store as: the person at this computer (the officer, as the
command line acts), two committee members, and a visitor."""

from impact_screen.access import Caller, Role

OFFICER = Caller.this_computer()
FUND_OFFICER = Caller("fund.officer@lancashire.example", Role.OFFICER, "Fund Officer", signed_in=True)
COUNCILLOR = Caller("cllr.patel@preston.example", Role.COMMITTEE, "Cllr Patel", signed_in=True)
OTHER_COUNCILLOR = Caller("cllr.jones@southribble.example", Role.COMMITTEE, "Cllr Jones", signed_in=True)
OUTSIDER = Caller("someone@elsewhere.example", Role.PUBLIC, "Someone", signed_in=True)
VISITOR = Caller.visitor()
