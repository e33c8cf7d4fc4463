"""Daily reminder digests of what is overdue or due soon, in the app and by e-mail."""
