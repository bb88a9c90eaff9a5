"""Answer key of ex04_benchmarks (lecturer's file: keep it where students cannot read it).

Each check is an expression; its expected value comes from the solution cells of
``source/ex04_benchmarks/ex04_benchmarks.ipynb``, evaluated by ``nasedu grade``.  The hidden
checks use synthetic tables (made-up accuracies over other spaces), so answers that only fit the
shipped table fail.
"""

from nasedu.grader import Check, Part, Task


def synthetic(name: str, rng: int, options: str, **settings: str) -> str:
    """Setup code that builds a synthetic benchmark called ``name``."""
    extra = "".join(f", {k}={v}" for k, v in settings.items())
    return (
        "from nasedu.bench import synthetic_benchmark\n"
        f"{name} = synthetic_benchmark('hidden', {options}, rng={rng}{extra})"
    )


CHAIN = (
    "{'name': 'chain', 'options': {'max_layers': 3, 'layer_types': {'conv': {'filters': [8], "
    "'kernel': [1, 3], 'stride': [1]}, 'pool': {'kind': ['max', 'avg'], 'kernel': [3], "
    "'stride': [1]}}}}"
)
SUM3 = (
    "{'name': 'multibranch', 'options': {'max_layers': 3, 'merges': ['sum'], 'layer_types': "
    "{'conv': {'filters': [4], 'kernel': [1, 3], 'stride': [1]}}}}"
)
BOTH2 = (
    "{'name': 'multibranch', 'options': {'max_layers': 2, 'merges': ['sum', 'concat'], "
    "'layer_types': {'conv': {'filters': [4], 'kernel': [1, 3, 5], 'stride': [1]}}}}"
)
LAYERS = """from nasedu.spaces import Layer, chain_like, densenet_like
conv3 = Layer("conv", filters=16, kernel=3, stride=1)
one_layer = chain_like([conv3])"""
SEARCH = """from nasedu.search import random_search
history = random_search(bench.space, bench.objective(), budget=30, rng=0, progress=False)
evaluated = [bench.space.genotype_from_data(r["genotype"]) for r in history.records]"""
FAKE_SEARCHES = (
    "[incumbent_curve(both2, [both2.space.genotype_from_data(r['genotype']) for r in "
    "random_search(both2.space, both2.objective(), budget=25, rng=seed, progress=False).records])"
    " for seed in range(4)]"
)

TASKS = [
    Task(
        "test_sampling_probability",
        solution="sampling_probability",
        parts=[
            Part(
                1,
                [
                    Check(
                        "sum(sampling_probability(bench, bench.genotype(r)) for r in bench)",
                        "the probabilities of all architectures sum to 1",
                        visible=True,
                        setup=LAYERS,
                        rel=1e-6,
                    ),
                    Check(
                        "sampling_probability(bench, chain_like([conv3, conv3, conv3]))",
                        "a chain of three layers has exactly one encoding",
                        visible=True,
                    ),
                    Check("sampling_probability(bench, one_layer)", rel=1e-6),
                ],
                hint="divide the number of encodings of the architecture by the number of "
                "genotypes",
            ),
            Part(
                1,
                [
                    Check(
                        "[sampling_probability(chain_table, chain_table.genotype(r)) "
                        "for r in chain_table]",
                        setup=synthetic("chain_table", 11, CHAIN),
                        rel=1e-6,
                    ),
                    Check(
                        "sampling_probability(bench, densenet_like([conv3, conv3, conv3]))",
                        rel=1e-6,
                    ),
                ],
                hint="use the table's own space (bench.space), not numbers of the shipped table",
            ),
        ],
    ),
    Task(
        "test_best_of",
        solution="best_of",
        parts=[
            Part(
                1,
                [
                    Check(
                        "best_of(bench, [bench.genotype(r) for r in bench])",
                        "the best of the whole table",
                        visible=True,
                    ),
                    Check(
                        "best_of(bench, list(bench.space.chains()))",
                        "the best chain",
                        visible=True,
                    ),
                    Check(
                        "best_of(sum3, list(sum3.space.enumerate()))",
                        setup=synthetic("sum3", 0, SUM3),
                    ),
                ],
                hint="query every genotype and keep the record with the highest val_accuracy()",
            ),
            Part(
                1,
                [
                    Check(
                        "[best_of(t, list(t.space.enumerate())[::3]) for t in (sum3, sum3b)]",
                        setup=synthetic("sum3b", 2, SUM3),
                    ),
                ],
                hint="compare mean validation accuracies after the last epoch",
            ),
            Part(
                1,
                [
                    Check(
                        "[best_of(bench, pair) for pair in ([one_layer, chain_like([conv3, "
                        "conv3])], [chain_like([conv3, conv3]), one_layer], [one_layer, "
                        "one_layer])]",
                        setup=LAYERS,
                    ),
                ],
                hint="replace the best only when a record is strictly better (ties keep the first)",
            ),
        ],
    ),
    Task(
        "test_incumbent_curve",
        solution="incumbent_curve",
        parts=[
            Part(
                1,
                [
                    Check(
                        "len(incumbent_curve(bench, evaluated))",
                        "one value per evaluation",
                        visible=True,
                        setup=SEARCH,
                    ),
                    Check(
                        "incumbent_curve(bench, evaluated)",
                        "the incumbent's test accuracy",
                        visible=True,
                    ),
                    Check("incumbent_curve(bench, [])"),
                ],
                hint="the incumbent is the best by validation so far; report its test accuracy",
            ),
            Part(
                2,
                [Check(FAKE_SEARCHES, setup=synthetic("both2", 5, BOTH2))],
                hint="when a later architecture only ties the incumbent's validation accuracy, "
                "the incumbent stays",
            ),
        ],
    ),
    Task(
        "test_proxy_correlation",
        solution="proxy_correlation",
        parts=[
            Part(
                1,
                [
                    Check(
                        "proxy_correlation(bench, bench.training['epochs'])",
                        "the last epoch predicts itself perfectly",
                        visible=True,
                    ),
                    Check(
                        "proxy_correlation(bench, 1) < proxy_correlation(bench, "
                        "bench.training['epochs'] - 1)",
                        "one epoch is a worse proxy than five",
                        visible=True,
                    ),
                    Check("proxy_correlation(bench, 2)", rel=1e-6),
                ],
                hint="rank_correlation(proxy values, final values) over every record of the table",
            ),
            Part(
                2,
                [
                    Check(
                        "[proxy_correlation(fake, epoch) for epoch in range(1, 6)]",
                        setup=synthetic("fake", 7, SUM3, epochs="5", seeds="(0, 1, 2)"),
                        rel=1e-6,
                    ),
                ],
                hint="use the mean over seeds (val_accuracy(epoch=...)) of every record",
            ),
        ],
    ),
]
