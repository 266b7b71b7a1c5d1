"""The loss of SPEC §1, written out by hand, and its global negatives under DDP.

The reference formula (SPEC §1, from ConVIRT, Zhang et al. 2022, eq. 2-4):
    l_i(v→u) = −log( exp(<v_i,u_i>/τ) / Σ_k exp(<v_i,u_k>/τ) ),  l_i(u→v) symmetric,
    L = (1/N) Σ_i [ λ·l_i(v→u) + (1−λ)·l_i(u→v) ],   flooded: |L − b| + b.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from cmrbench.pretraining.loss import ContrastiveLoss, flooded, info_nce


def unit(rows: int, width: int, seed: int) -> torch.Tensor:
    return torch.nn.functional.normalize(
        torch.randn(rows, width, generator=torch.Generator().manual_seed(seed),
                    dtype=torch.float64), dim=1)


def by_hand(v: torch.Tensor, u: torch.Tensor, lam: float, tau: float) -> float:
    """SPEC §1's L with explicit sums over Python floats."""
    n = len(v)
    dot = [[float(v[i] @ u[k]) for k in range(n)] for i in range(n)]
    total = 0.0
    for i in range(n):
        v_to_u = -math.log(math.exp(dot[i][i] / tau)
                           / sum(math.exp(dot[i][k] / tau) for k in range(n)))
        u_to_v = -math.log(math.exp(dot[i][i] / tau)
                           / sum(math.exp(dot[k][i] / tau) for k in range(n)))
        total += lam * v_to_u + (1 - lam) * u_to_v
    return total / n


@pytest.mark.parametrize(("lam", "tau"), [(0.75, 0.1), (0.3, 0.5), (1.0, 0.07)])
def test_the_loss_is_spec_formula_written_out(lam, tau):
    v, u = unit(6, 5, 0), unit(6, 5, 1)
    u[2] = v[2]  # one matching pair, so the two directions differ clearly
    assert float(info_nce(v, u, lam=lam, temperature=tau)) == pytest.approx(
        by_hand(v, u, lam, tau), rel=1e-12)


def test_lambda_weighs_the_video_to_report_direction():
    """With λ = 1 only l(v→u) counts: the softmax runs over reports (each row of <v, u>)."""
    v, u = unit(5, 4, 2), unit(5, 4, 3)
    rows = -torch.log_softmax(v @ u.T / 0.2, dim=1).diagonal().mean()
    assert float(info_nce(v, u, lam=1.0, temperature=0.2)) == pytest.approx(float(rows))


def test_flooding_keeps_the_loss_above_b_and_pushes_back_from_below():
    """|L − b| + b: equal to L above b, 2b − L below it, whose gradient is the opposite of L's."""
    assert float(flooded(torch.tensor(0.8), 0.05)) == pytest.approx(0.8)
    below = torch.tensor(0.01, requires_grad=True)
    value = flooded(below, 0.05)
    value.backward()
    assert value.item() == pytest.approx(0.09) and below.grad.item() == -1.0


def test_contrastive_loss_returns_the_flooded_and_the_plain_loss():
    v, u = unit(4, 3, 4), unit(4, 3, 5)
    loss = ContrastiveLoss(lam=0.75, temperature=0.1, flood=0.05)
    flood_value, plain = loss(v, u)
    assert float(plain) == pytest.approx(by_hand(v, u, 0.75, 0.1))
    assert float(flood_value) == pytest.approx(abs(float(plain) - 0.05) + 0.05)
    identical = unit(4, 3, 6)
    low, low_plain = ContrastiveLoss(temperature=0.01, flood=0.5)(identical, identical)
    assert float(low_plain) < 0.5 and float(low) == pytest.approx(1.0 - float(low_plain))


@pytest.mark.parametrize("field", ["lam", "temperature", "flood"])
def test_contrastive_loss_refuses_meaningless_settings(field):
    bad = {"lam": 1.5, "temperature": 0.0, "flood": -0.1}[field]
    with pytest.raises(ValueError, match=field.replace("lam", "lam")):
        ContrastiveLoss(**{field: bad})


# Two processes over gloo, each with half the pairs, against one process with all of them.
# The encoders are small linear maps wrapped in DDP (which averages gradients across ranks);
# rank 0 gets 3 pairs and rank 1 gets 5, so unequal shares are covered too.
WORKER = textwrap.dedent('''
    import json, sys
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    from cmrbench.pretraining.loss import ContrastiveLoss

    rank, world, store, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]


    class Pair(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.video, self.text = torch.nn.Linear(6, 4), torch.nn.Linear(5, 4)

        def forward(self, video, text):
            return (torch.nn.functional.normalize(self.video(video), dim=1),
                    torch.nn.functional.normalize(self.text(text), dim=1))


    torch.manual_seed(0)
    video_in, text_in = torch.randn(8, 6), torch.randn(8, 5)
    model = Pair()
    loss = ContrastiveLoss(lam=0.75, temperature=0.1, flood=0.05)
    if world > 1:
        dist.init_process_group("gloo", init_method="file://" + store, rank=rank,
                                world_size=world)
        model = DistributedDataParallel(model)
        share = [slice(0, 3), slice(3, 8)][rank]
        video_in, text_in = video_in[share], text_in[share]
    value, plain = loss(*model(video_in, text_in))
    value.backward()
    grads = {n.removeprefix("module."): p.grad.tolist() for n, p in model.named_parameters()}
    if world > 1:
        dist.destroy_process_group()
    json.dump({"value": float(value), "plain": float(plain), "grads": grads}, open(out, "w"))
''')


def test_two_gloo_processes_give_the_loss_and_gradients_of_one_with_the_whole_batch(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    runs = [(rank, world) for world in (2, 1) for rank in range(world)]
    outs = {run: tmp_path / f"world{run[1]}-rank{run[0]}.json" for run in runs}
    processes = [subprocess.Popen([sys.executable, str(script), str(rank), str(world),
                                   str(tmp_path / f"store{world}"), str(outs[rank, world])],
                                  env=env, stderr=subprocess.PIPE, text=True)
                 for rank, world in runs]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
    single = json.loads(outs[0, 1].read_text())
    for rank in range(2):
        result = json.loads(outs[rank, 2].read_text())
        assert result["plain"] == pytest.approx(single["plain"], rel=1e-6)
        assert result["value"] == pytest.approx(single["value"], rel=1e-6)
        for name, grad in single["grads"].items():
            assert torch.allclose(torch.tensor(result["grads"][name]), torch.tensor(grad),
                                  atol=1e-6), name
