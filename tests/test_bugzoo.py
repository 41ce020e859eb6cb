"""The public bug zoo: every learner-style bug detected and named; no false FAIL on correct code.

The bugs are data (``tests/bugzoo.py``): one reference backward pass written as
learners write it, and one table of mistakes planted into it.
"""
import numpy as np
import pytest

from bugzoo import ARCHS, BUGS, EQUIVALENT, data, planted, random_case, reference_backward
from companion import gradcheck

CASES = [(bug, name) for bug in BUGS for name, arch in ARCHS.items() if bug.needs(arch)]


def test_the_zoo_is_big_enough():
    assert len(BUGS) >= 25 and len({b.code for b in BUGS}) >= 20
    assert len(ARCHS) >= 3
    for bug in BUGS:  # each bug runs on at least 3 architectures
        assert sum(bug.needs(a) for a in ARCHS.values()) >= 3, bug.name
    assert sum(bug.needs(a) for bug in BUGS for a in ARCHS.values()) >= 100
    hidden = {a for sizes, acts, loss in ARCHS.values() for a in acts[:-1]}
    assert {"relu", "tanh", "sigmoid"} <= hidden
    assert {loss for *_, loss in ARCHS.values()} == {"binary_cross_entropy", "cross_entropy"}
    assert {"seed 000", "seed 002", "seed 003"} <= {b.source for b in BUGS}


@pytest.fixture(scope="module")
def zoo_results():
    """Run every (bug, architecture) with zero biases (seed 0) and with random biases (seed 1)."""
    out = []
    for bug, name in CASES:
        arch = ARCHS[name]
        for seed, biases in ((0, "zero"), (1, "random")):
            P, X, Y = data(arch, seed, biases=biases)
            try:
                report = gradcheck.check_backward(planted(bug, arch), P, X, Y, arch[1], arch[2])
            except Exception as exc:  # noqa: BLE001 - counted: nothing may escape
                out.append((bug, name, biases, None, exc))
                continue
            out.append((bug, name, biases, report, None))
    return out


def test_no_exception_escapes(zoo_results):
    escaped = [(b.name, n, repr(e)) for b, n, _, r, e in zoo_results if e is not None]
    assert escaped == []


def test_every_bug_is_detected(zoo_results):
    missed = [(b.name, n, biases) for b, n, biases, r, _ in zoo_results if r is None or r.passed]
    assert missed == [], missed
    # and a detected bug is a FAIL, never only "inconclusive"
    assert all(any(v == "FAIL" for v in r.results.values()) for *_, r, _ in zoo_results)


def test_bugs_are_named(zoo_results):
    """A run is named right when every failing row carries the bug's code."""
    wrong = []
    for bug, name, biases, report, _ in zoo_results:
        codes = {report.diagnoses[k] for k, v in report.results.items() if v == "FAIL"}
        if codes != {bug.code}:
            wrong.append((bug.name, name, biases, bug.code, sorted(codes)))
    rate = 1 - len(wrong) / len(zoo_results)
    print(f"named right: {rate:.1%} of {len(zoo_results)} runs")
    assert rate >= 0.9, wrong
    assert wrong == []  # the target: every one


def test_exceptions_are_explained_with_a_fix():
    arch = ARCHS["relu-relu-sigmoid"]
    P, X, Y = data(arch, 0)
    bug = next(b for b in BUGS if b.name.startswith("missing Wᵀ on a non-square"))
    report = gradcheck.check_backward(planted(bug, arch), P, X, Y, arch[1], arch[2])
    e = report.exception
    assert e.type == "ValueError" and e.fix == 'c["W"].T @ c["dZ"]'
    assert e.shapes == {'c["W"]': (3, 5), 'c["dZ"]': (3, 6)}
    assert 'c["W"] @ c["dZ"]' in e.line and e.filename.endswith("bugzoo.py")
    assert "likely fix: " + e.fix in str(report)
    bug = next(b for b in BUGS if b.name.startswith("dW = dZ A_prev"))
    e = gradcheck.check_backward(planted(bug, arch), P, X, Y, arch[1], arch[2]).exception
    assert e.fix == 'c["dZ"] @ c["A_prev"].T'


def _correct_reports(n=200):
    for seed in range(n):
        P, X, Y, acts, loss = random_case(seed)
        yield seed, (P, X, Y, acts, loss), gradcheck.check_backward(
            lambda p, x, y: reference_backward(p, x, y, acts, loss), P, X, Y, acts, loss)


@pytest.fixture(scope="module")
def correct_reports():
    return list(_correct_reports())


def test_zero_false_fail_on_correct_code(correct_reports):
    """200 random networks with the default initialisation (zero biases): correct code never FAILs."""
    fails = [(seed, case[3], str(r)) for seed, case, r in correct_reports if not r.passed]
    assert fails == []
    # and it is not by hiding behind "inconclusive": (almost) every row gets a verdict
    rows = [v for _, _, r in correct_reports for v in r.results.values()]
    inconclusive = rows.count("inconclusive")
    print(f"{len(correct_reports)} correct networks, {len(rows)} gradients: 0 FAIL, {inconclusive} inconclusive")
    assert inconclusive <= 0.01 * len(rows)


def test_the_sample_holds_the_hard_cases(correct_reports):
    """Zero biases put z exactly on ReLU's kink: a plain central difference fails correct code there."""
    naive_fails, kinks = 0, 0
    for seed, (P, X, Y, acts, loss), report in correct_reports:
        kinks += sum(report.kinks.values())
        grads = reference_backward(P, X, Y, acts, loss)
        from companion.network import compute_cost, forward

        for key in P:
            W = P[key].copy()

            def J(v, key=key):
                Q = dict(P)
                Q[key] = v
                AL, caches = forward(X, Q, acts)
                return compute_cost(AL, Y, loss, caches)

            if gradcheck.relative_error(grads["d" + key], gradcheck.numerical_gradient(J, W)) > gradcheck.THRESHOLD:
                naive_fails += 1
                break
    print(f"plain central differences fail {naive_fails} of {len(correct_reports)} correct networks; "
          f"{kinks} entries at a kink")
    assert naive_fails >= 20 and kinks >= 50


@pytest.mark.parametrize("variant", EQUIVALENT, ids=lambda b: b.name)
@pytest.mark.parametrize("name", list(ARCHS))
def test_equivalent_correct_forms_never_fail(variant, name):
    arch = ARCHS[name]
    for seed in range(3):
        P, X, Y = data(arch, seed)
        report = gradcheck.check_backward(planted(variant, arch), P, X, Y, arch[1], arch[2])
        assert report.passed, str(report)


# --- Part IV: L2, inverted dropout and batch norm (chapters 16 and 17) ---------------------
from bugzoo import KEEP_PROB, OPTION_ARCHS, OPTION_BUGS, option_data, planted_options  # noqa: E402

OPTION_CASES = [(bug, name) for bug in [None] + OPTION_BUGS for name, arch in OPTION_ARCHS.items()
                if bug is None or bug.needs(arch)]


def _check_options(grad_fn, arch, P, X, Y, masks):
    return gradcheck.check_backward(grad_fn, P, X, Y, arch[1], arch[2], l2=arch[3]["l2"],
                                    keep_prob=KEEP_PROB if masks else 1.0, masks=masks or None)


def test_the_option_zoo_covers_every_part_iv_bug():
    codes = {b.code for b in OPTION_BUGS}
    assert {"l2_factor_m", "l2_on_bias", "missing_penalty", "dropout_mask_missing", "dropout_scale_missing",
            "mask_redrawn", "random_each_call", "bn_first_term_only", "bn_missing_mean_path",
            "bn_missing_variance_path"} <= codes
    for bug in OPTION_BUGS:  # each on at least 3 architectures
        assert sum(bug.needs(a) for a in OPTION_ARCHS.values()) >= 3, bug.name
    kinds = [a[3] for a in OPTION_ARCHS.values()]
    assert sum(bool(k["drop"]) for k in kinds) >= 3 and sum(bool(k["bn"]) for k in kinds) >= 3


@pytest.mark.parametrize("bug, name", OPTION_CASES,
                         ids=[f"{b.name if b else 'correct'} | {n}" for b, n in OPTION_CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_part_iv_bugs_are_detected_and_named(bug, name, seed):
    """Correct code passes; every planted Part IV bug FAILs, and every failing row carries its code."""
    arch = OPTION_ARCHS[name]
    P, X, Y, masks = option_data(arch, seed)
    report = _check_options(planted_options(bug, arch, masks), arch, P, X, Y, masks)
    if bug is None:
        assert report.passed and set(report.results.values()) == {"pass"}, str(report)
        return
    codes = {report.diagnoses[k] for k, v in report.results.items() if v == "FAIL"}
    assert codes == {bug.code}, str(report)


def test_the_reference_is_the_learners_cost_not_the_package():
    """A correct pass fails against a reference with other masks, another keep_prob or no batch norm."""
    arch = OPTION_ARCHS["relu-relu-sigmoid, dropout 1 2"]
    P, X, Y, masks = option_data(arch, 0)
    fn = planted_options(None, arch, masks)
    assert _check_options(fn, arch, P, X, Y, masks).passed
    as_drawn = {l: D.astype(bool) for l, D in masks.items()}  # rand < keep_prob, not yet converted
    assert gradcheck.check_backward(fn, P, X, Y, arch[1], arch[2], keep_prob=KEEP_PROB, masks=as_drawn).passed
    flipped = {l: 1 - D for l, D in masks.items()}
    assert not gradcheck.check_backward(fn, P, X, Y, arch[1], arch[2], keep_prob=KEEP_PROB, masks=flipped).passed
    assert not gradcheck.check_backward(fn, P, X, Y, arch[1], arch[2], keep_prob=0.5, masks=masks).passed
    arch = OPTION_ARCHS["relu-tanh-sigmoid, batch norm 1"]
    P, X, Y, masks = option_data(arch, 0)
    plain = {k: v for k, v in P.items() if not k.startswith(("gamma", "beta"))}
    plain["b1"] = P["beta1"]
    fn = planted_options(None, arch, masks)
    assert not gradcheck.check_backward(lambda p, x, y: {("db1" if k == "dbeta1" else k): v for k, v in
                                                         fn(P, x, y).items() if k != "dgamma1"},
                                        plain, X, Y, arch[1], arch[2]).passed


@pytest.mark.parametrize("seed", range(40))
def test_no_false_fail_on_random_correct_option_networks(seed):
    """Random sizes, m, activations (ReLU kinks included), dropout masks, batch-norm layers and λ."""
    rng = np.random.default_rng(1000 + seed)
    L = int(rng.integers(2, 4))
    acts = [str(rng.choice(["relu", "tanh", "sigmoid", "leaky_relu"])) for _ in range(L - 1)]
    acts.append(str(rng.choice(["sigmoid", "softmax"])))
    loss = "binary_cross_entropy" if acts[-1] == "sigmoid" else "cross_entropy"
    sizes = [int(rng.integers(1, 5)) for _ in range(L)] + [1 if acts[-1] == "sigmoid" else 3]
    hidden = list(range(1, L))
    opt = dict(drop=tuple(l for l in hidden if rng.random() < 0.6), bn=tuple(l for l in hidden if rng.random() < 0.5),
               l2=float(rng.random()) if rng.random() < 0.5 else None)
    arch = (sizes, acts, loss, opt)
    P, X, Y, masks = option_data(arch, seed, m=int(rng.integers(2, 9)))
    report = _check_options(planted_options(None, arch, masks), arch, P, X, Y, masks)
    assert report.passed, str(report)
