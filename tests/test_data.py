"""The data sets: digits (offline default), CIFAR-10 from local batches, device-side batching."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from nasedu import data
from nasedu.data.cifar import CIFAR10_CLASSES, load_cifar10
from nasedu.data.dataset import Split, random_translate


def test_digits_shapes_and_split_sizes():
    ds = data.load("digits")
    assert ds.input_shape == (1, 8, 8)
    assert ds.num_classes == 10
    assert (len(ds.train), len(ds.val), len(ds.test)) == (1197, 300, 300)
    assert ds.train.x.dtype == torch.float32 and ds.train.y.dtype == torch.int64
    # standardised with training statistics
    assert abs(ds.train.x.mean().item()) < 1e-4
    assert abs(ds.train.x.std().item() - 1) < 1e-2


def test_digits_split_is_fixed_per_seed_and_disjoint():
    a = data.load("digits", seed=1)
    b = data.digits.load_digits(seed=1)  # uncached, built again
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.test.y, b.test.y)
    c = data.load("digits", seed=2)
    assert not torch.equal(a.train.y, c.train.y)
    from nasedu.data.digits import split_indices

    tr, va, te = split_indices(1797, 300, 300, seed=1)
    assert len(set(tr) | set(va) | set(te)) == 1797
    assert not (set(tr) & set(va) or set(tr) & set(te) or set(va) & set(te))


def test_load_caches_and_rejects_unknown_names():
    assert data.load("digits") is data.load("digits")
    with pytest.raises(KeyError, match="digits"):
        data.load("imagenet-1k")


def test_shrink_and_batches_cover_every_example_once():
    ds = data.load("digits").shrink(train=100, val=50)
    assert (len(ds.train), len(ds.val)) == (100, 50)
    seen = torch.cat([y for _, y in ds.train.batches(32, shuffle=True)])
    assert sorted(seen.tolist()) == sorted(ds.train.y.tolist())
    sizes = [len(y) for _, y in ds.train.batches(32)]
    assert sizes == [32, 32, 32, 4]


def test_split_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="labels"):
        Split(torch.zeros(3, 1, 2, 2), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="N, C, H, W"):
        Split(torch.zeros(3, 4), torch.zeros(3, dtype=torch.long))


def test_random_translate_shifts_content_without_changing_it():
    x = torch.zeros(64, 1, 8, 8)
    x[:, 0, 3, 4] = 1.0  # one bright pixel
    g = torch.Generator().manual_seed(0)
    y = random_translate(x, pad=2, generator=g)
    assert y.shape == x.shape
    assert torch.allclose(y.sum(dim=(1, 2, 3)), torch.ones(64))  # pixel kept (|shift| <= 2)
    positions = {tuple(torch.nonzero(img[0])[0].tolist()) for img in y}
    assert len(positions) > 5  # really moved, differently per image
    assert all(abs(r - 3) <= 2 and abs(c - 4) <= 2 for r, c in positions)


def test_random_translate_flip_mirrors_some_images():
    x = torch.arange(16.0).reshape(1, 1, 4, 4).repeat(32, 1, 1, 1)
    y = random_translate(x, pad=0, flip=True, generator=torch.Generator().manual_seed(0))
    flipped = sum(torch.equal(img, x[0].flip(-1)) for img in y)
    assert 0 < flipped < 32
    assert all(torch.equal(img, x[0]) or torch.equal(img, x[0].flip(-1)) for img in y)


def test_random_translate_returns_the_standard_layout_for_one_channel():
    """A (N, 1, H, W) batch came back with strides (H*W, 1, W, 1): contiguous to torch, but
    oneDNN's convolution backward wrote outside its buffers with them (torch 2.13 CPU), and
    fit(..., augment="translate") on the digits aborted the whole process."""
    for channels in (1, 3):
        x = torch.randn(5, channels, 8, 8)
        y = random_translate(x, pad=1, generator=torch.Generator().manual_seed(0))
        assert y.stride() == torch.empty(5, channels, 8, 8).stride()


def _write_fake_cifar(folder, per_batch=20, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        batch = {
            b"data": rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8),
            b"labels": [int(v) for v in rng.integers(0, 10, size=per_batch)],
            b"batch_label": name.encode(),
        }
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f)
    return folder


def test_cifar10_reads_standard_python_batches(tmp_path):
    _write_fake_cifar(tmp_path / "cifar-10-batches-py")
    ds = load_cifar10(tmp_path, val=10)
    assert ds.input_shape == (3, 32, 32)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (90, 10, 20)
    assert ds.classes == CIFAR10_CLASSES and ds.augment == "crop-flip"
    # also accepts the batch folder itself
    again = load_cifar10(tmp_path / "cifar-10-batches-py", val=10)
    assert torch.equal(again.test.x, ds.test.x)


def test_cifar10_pixel_layout_is_channel_major(tmp_path):
    folder = _write_fake_cifar(tmp_path / "cifar-10-batches-py")
    with open(folder / "test_batch", "rb") as f:
        raw = pickle.load(f)
    ds = load_cifar10(tmp_path, val=10)
    red_first_row = raw[b"data"][0, :32].astype(np.float32) / 255.0
    expected = (red_first_row - 0.49139968) / 0.24703233
    assert np.allclose(ds.test.x[0, 0, 0].numpy(), expected, atol=1e-5)


def test_cifar10_missing_folder_explains_and_does_not_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_cifar10(tmp_path / "nothing-here")


def test_cifar10_rejects_a_corrupt_batch(tmp_path):
    folder = _write_fake_cifar(tmp_path / "cifar-10-batches-py")
    with open(folder / "data_batch_3", "wb") as f:
        pickle.dump({b"labels": [1, 2]}, f)
    with pytest.raises(ValueError, match="data_batch_3"):
        load_cifar10(tmp_path)


def test_cifar10_rejects_out_of_range_labels(tmp_path):
    folder = _write_fake_cifar(tmp_path / "cifar-10-batches-py")
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 12]}, f)
    with pytest.raises(ValueError, match=r"0\.\.9"):
        load_cifar10(tmp_path)


def test_load_treats_a_path_and_its_string_as_one_data_set(tmp_path):
    _write_fake_cifar(tmp_path / "cifar-10-batches-py")
    assert data.load("cifar10", root=tmp_path, val=10) is data.load(
        "cifar10", root=str(tmp_path), val=10
    )


def test_shrink_to_zero_is_honoured():
    assert len(data.load("digits").shrink(val=0).val) == 0


def test_the_data_package_imports_nothing_above_it():
    """Dependencies point one way: viz, train and search use data; data uses none of them
    (not even inside a function, where an import cycle would hide until it is called)."""
    import ast
    from pathlib import Path

    above = ("nasedu.viz", "nasedu.widgets", "nasedu.train", "nasedu.search", "nasedu.bench")
    folder = Path(data.__file__).parent
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = "nasedu.data." * (node.level == 1) + "nasedu." * (node.level == 2)
                names = [module + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [f"{path.name}: {n}" for n in names if n.startswith(above)]
    assert found == []
