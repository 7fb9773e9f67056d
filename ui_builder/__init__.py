"""Server-rendered pages: the shell, login, home; later generated forms, lists and the designers."""
