import ujson
from leakcheck_probe import ProbeContext, run_probe


class Price:
    def __init__(self, amount):
        self.amount = amount

    def __str__(self):
        return f"{self.amount} €"


ITEM = {"price": Price(12)}


def body(ctx: ProbeContext, i: int) -> None:
    ujson.dumps(ITEM, default=str)


run_probe("python.ujson_default_non_ascii", body)
