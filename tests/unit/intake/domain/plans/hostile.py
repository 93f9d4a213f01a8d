"""Hostile plan texts, for the parser's tests and bench/plan_parse.py."""


def long_run_of_numbers() -> str:
    """199 counters `N、`, each running 50 numbered items `k.任务。牵头单位:县司法局` on one line (~400 KB)."""
    return "\n".join(f"{n}、" + "".join(f"{k}.任务。牵头单位:县司法局" for k in range(n * 50, n * 50 + 50))
                     for n in range(1, 200))
