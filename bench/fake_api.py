"""The fake Telegram Bot API as its own process, for benches with several web processes.

python -m bench.fake_api PORT        (GET /count: sendMessage calls received)
"""

from __future__ import annotations

import sys

import uvicorn

from tests.fakes.telegram_api import FakeTelegram


def main() -> None:
    fake = FakeTelegram()

    @fake.app.get("/count")
    async def count() -> dict[str, int]:
        return {"sent": len(fake.sent())}

    uvicorn.run(
        fake.app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
