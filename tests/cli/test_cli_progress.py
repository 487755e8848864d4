"""Progress of long work: a live bar on a terminal; off a terminal (a CI log) one line at the
rarer of every 10% and every 5 seconds. Driven with a fake clock: nothing here waits."""

from __future__ import annotations

import io

from brushbench.cli.progress import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _drive(bar: ProgressBar, clock: Clock, steps: int, seconds_per_step: float) -> None:
    for done in range(1, steps + 1):
        clock.now += seconds_per_step
        bar.update(done, steps, f"{done * 1000:,} orders")
    bar.finish()


def test_off_a_terminal_slow_work_prints_a_line_every_ten_percent():
    clock, out = Clock(), NotATerminal()
    bar = ProgressBar(out, label="generate", unit="shards", clock=clock)
    assert not bar.terminal
    _drive(bar, clock, 100, seconds_per_step=1.0)  # 100 s: 10% every 10 s
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "generate:  10% 10/100 shards  10,000 orders, 10s"
    assert lines[-1] == "generate: 100% 100/100 shards  100,000 orders, 100s"
    assert "\r" not in out.getvalue()


def test_off_a_terminal_fast_steps_print_a_line_every_five_seconds_at_most():
    clock, out = Clock(), NotATerminal()
    bar = ProgressBar(out, clock=clock)
    _drive(bar, clock, 1000, seconds_per_step=0.03)  # 30 s in 1000 small steps
    lines = out.getvalue().splitlines()
    # every 5 s (each more than 10% of the work); the last 5 s are not up when it ends
    assert [line.split()[0] for line in lines] == ["17%", "33%", "50%", "67%", "84%"]


def test_off_a_terminal_a_short_job_prints_nothing():
    clock, out = Clock(), NotATerminal()
    _drive(ProgressBar(out, clock=clock), clock, 8, seconds_per_step=0.5)  # 4 s in all
    assert out.getvalue() == ""


def test_on_a_terminal_a_bar_is_redrawn_in_place_and_cleared():
    clock, out = Clock(), Terminal()
    bar = ProgressBar(out, clock=clock)
    assert bar.terminal
    _drive(bar, clock, 4, seconds_per_step=1.0)
    text = out.getvalue()
    assert text.count("\r[") == 4 and "\n" not in text
    assert "4/4  4,000 orders" in text
    assert text.endswith("\r" + " " * 79 + "\r")


def test_the_generator_hook_reports_shards_and_orders():
    from brushbench.generator.run import Progress

    clock, out = Clock(), NotATerminal()
    bar = ProgressBar(out, unit="shards", clock=clock)
    for done in range(1, 11):
        clock.now += 6
        bar(Progress(done, 10, done * 500_000))
    assert out.getvalue().splitlines()[-1] == "100% 10/10 shards  5,000,000 orders, 60s"


def test_generate_to_drives_the_bar(tmp_path):
    """``brushbench generate`` hands the bar to ``generate_to``: every shard reaches it."""
    import brushbench
    from brushbench.generator.run import generate_to

    seen: list[tuple[int, int]] = []

    class Recording(ProgressBar):
        def update(self, done: int, total: int, detail: str = "") -> None:
            seen.append((done, total))
            super().update(done, total, detail)

    out = NotATerminal()
    generate_to(tmp_path / "d", brushbench.load_scenario("flash_sale"), scale=0.01,
                progress=Recording(out))
    assert seen and seen[-1][0] == seen[-1][1]

