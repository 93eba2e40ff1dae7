"""Imports from other systems: a queue system's visits, contacts one per row, a contact
centre's interval figures. `reading` reads files and cells, `fields` names the columns,
`visits` and `rows` check and store, `jobs` is an import's life and `tasks` runs it."""
