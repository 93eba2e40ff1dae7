"""Staff pages of the audits app, one module per noun: the programme and proposals (`programme`),
one audit with its team and agreement (`audits`), access grants (`access`), the network's coverage
(`network`), fieldwork, evidence and findings, the report and remedies, mystery shopping and the
seal."""
