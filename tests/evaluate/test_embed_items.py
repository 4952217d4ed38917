"""embed_items averages the pooled embedding (forward_head of forward_features) over each
item's tiles, in eval mode."""

import numpy as np
import pytest
import torch

from sslsci.data import LabelledWindows, Standardizer
from sslsci.evaluate import embed_items, random_init_like

STANDARDIZER = Standardizer((1.0, -2.0), (2.0, 0.5))


def standardised_mean(values: np.ndarray, columns: list[int]) -> np.ndarray:
    mean = np.array([[1.0], [-2.0]])
    std = np.array([[2.0], [0.5]])
    return ((values[:, columns] - mean) / std).mean(axis=1)


def unit_backbone(mean_backbone):
    model = mean_backbone(2)
    with torch.no_grad():
        model.weight.fill_(1.0)
    return model


@pytest.fixture
def three_items(put_items):
    rng = np.random.default_rng(3)
    arrays = {
        name: rng.normal(size=(2, n)).astype(np.float32)
        for name, n in (("a", 12), ("b", 6), ("c", 4))
    }
    rows = put_items(
        [
            (name, values, label, "test")
            for (name, values), label in zip(arrays.items(), "xyx", strict=True)
        ]
    )
    return rows, arrays


def test_features_are_tile_means_per_item(store, three_items, mean_backbone) -> None:
    rows, arrays = three_items
    # Window 4 with at most 2 tiles: a (length 12) has tiles at 0, 4, 8, of which the
    # evenly spaced two [0:4] and [8:12]; b (length 6) [0:4] and [2:6] (the last ends at
    # the end); c (length 4) itself.
    dataset = LabelledWindows(store, rows, {"time": 4}, STANDARDIZER, ["x", "y"], max_tiles=2)
    assert [len(dataset[i][0]) for i in range(3)] == [2, 2, 1]
    features, labels = embed_items(unit_backbone(mean_backbone), dataset, batch_size=2)
    expected = np.stack(
        [
            standardised_mean(arrays["a"], [*range(0, 4), *range(8, 12)]),
            standardised_mean(arrays["b"], [*range(0, 4), *range(2, 6)]),
            standardised_mean(arrays["c"], list(range(4))),
        ]
    )
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)
    assert features.dtype == np.float32
    np.testing.assert_array_equal(labels, [0, 1, 0])


def test_batch_size_does_not_change_features(store, three_items, mean_backbone) -> None:
    rows, _ = three_items
    dataset = LabelledWindows(store, rows, {"time": 4}, STANDARDIZER, ["x", "y"])
    backbone = unit_backbone(mean_backbone)
    one, _ = embed_items(backbone, dataset, batch_size=1)
    all_, _ = embed_items(backbone, dataset, batch_size=3)
    np.testing.assert_allclose(one, all_, rtol=1e-6)


def test_runs_in_eval_mode_and_restores_modes(store, three_items, mean_backbone) -> None:
    rows, _ = three_items
    dataset = LabelledWindows(store, rows, {"time": 4}, STANDARDIZER, ["x", "y"])
    backbone = unit_backbone(mean_backbone).train()
    backbone.dropout.eval()  # a submodule deliberately in its own mode
    first, _ = embed_items(backbone, dataset)
    second, _ = embed_items(backbone, dataset)
    np.testing.assert_array_equal(first, second)  # dropout was off
    assert backbone.training and not backbone.dropout.training
    assert backbone.weight.grad is None


def test_unpooled_features_are_refused(store, three_items) -> None:
    rows, _ = three_items
    dataset = LabelledWindows(store, rows, {"time": 4}, STANDARDIZER, ["x", "y"])

    class TokenBackbone(torch.nn.Module):
        num_features = 2

        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return x.transpose(1, 2)

        def forward_head(self, features: torch.Tensor, pre_logits: bool = True) -> torch.Tensor:
            return features  # forgets to pool

    with pytest.raises(ValueError, match=r"TokenBackbone gave a pooled embedding of shape"):
        embed_items(TokenBackbone(), dataset)


def test_random_init_is_seeded_and_leaves_global_rng_alone(mean_backbone) -> None:
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    a = random_init_like(lambda: mean_backbone(4), seed=5)
    assert torch.equal(torch.rand(3), expected_next)
    b = random_init_like(lambda: mean_backbone(4), seed=5)
    c = random_init_like(lambda: mean_backbone(4), seed=6)
    assert torch.equal(a.weight, b.weight)
    assert not torch.equal(a.weight, c.weight)
    assert not a.training
