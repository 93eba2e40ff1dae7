"""Service audits (ISO 19011) and the quality seal: why an audit is needed, who audits, the
agreement and plan, checklists built from the organisation's promises, evidence frozen from live
data, findings, the report with its corrective plan, remedies, mystery shopping and the seal."""
