"""Staff pages of the audits app, one module per noun: the programme and proposals
(`programme`), one audit with its team and agreement (`audits`), access grants (`access`) and
the network's coverage (`network`)."""
"""Staff pages of the audits app, one module per noun."""
