"""Latency, load time and memory of the shipped NLU model. Prints figures; asserts nothing.

python bench/nlu.py [FILE.jsonl]      (default: the phrases in bot/nlu/training/)
"""

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from bot.nlu import Understander
from bot.nlu.model import LinearModel
from bot.nlu.train import load_examples, read_jsonl


def main() -> None:
    texts = [
        e.text for e in (read_jsonl(Path(sys.argv[1])) if len(sys.argv) > 1 else load_examples())
    ]
    tracemalloc.start()
    started = time.perf_counter()
    model = LinearModel.load()
    load_seconds = time.perf_counter() - started
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    understander = Understander(model)
    understander("warm up")
    latencies, cpu = [], []
    for text in texts * 3:
        started, started_cpu = time.perf_counter(), time.process_time()
        understander(text)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    latencies.sort()
    cpu.sort()
    size = Path(sys.modules["bot.nlu.model"].MODEL_PATH).stat().st_size

    print(
        f"model: {len(model.vocabulary)} features, {len(model.intent.labels)} intents, "
        f"file {size / 1e6:.1f} MB"
    )
    print(
        f"load: {load_seconds * 1000:.0f} ms; memory held {held / 1e6:.1f} MB "
        f"(peak while loading {peak / 1e6:.1f} MB)"
    )
    print(
        f"latency over {len(latencies)} messages: mean {statistics.mean(latencies):.3f} ms, "
        f"p50 {latencies[len(latencies) // 2]:.3f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)]:.3f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)]:.3f} ms, max {latencies[-1]:.3f} ms"
    )
    # Wall time includes waiting for a core on a shared machine; CPU time is the work done.
    print(
        f"CPU time per message: mean {statistics.mean(cpu):.3f} ms, "
        f"p50 {cpu[len(cpu) // 2]:.3f} ms, p95 {cpu[int(len(cpu) * 0.95)]:.3f} ms"
    )


if __name__ == "__main__":
    main()
