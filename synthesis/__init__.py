"""The editing engine: project, edit list, history, render plan, export. No Qt."""
