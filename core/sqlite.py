"""SQLite tuning that Django 5.2 leaves on the table.

Django 5.2 assumes SQLite's historical limit of 999 bound variables per statement, so a
bulk insert of 13-column readings goes out 76 rows at a time. SQLite >= 3.32 allows
32,766 and Python >= 3.11 can read the real limit, which is what Django 6.0 does: use it,
and a 5,000-reading upload takes 2 INSERTs instead of 66.
"""

import sqlite3


def use_real_variable_limit(sender, connection, **kwargs):
    """connection_created receiver: size bulk batches by this SQLite's own limit."""
    if connection.vendor != "sqlite":
        return
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = limit
