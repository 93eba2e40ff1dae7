"""Staff pages for surveys, one module per noun: waves and their dashboards, exports, the
network, questionnaires, imports, invitations, the client units' validation, the quality
bonus and kiosks (surveys/urls.py maps them)."""
