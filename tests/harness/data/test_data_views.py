"""View selection: the reference's long axes plus every second inner SAX slice, or a random half."""

import numpy as np
import pytest
from cmrbench.data import select_videos


@pytest.mark.parametrize(("n_slices", "sax"), [
    (4, [0, 2]),
    (5, [0, 2, 4]),
    (6, [1, 3]),
    (9, [1, 3, 5, 7]),
    (14, [1, 3, 5, 7, 9, 11]),
])
def test_reference_sax_drops_ends_above_five_then_takes_every_second(n_slices, sax):
    selected = select_videos({"SAX": n_slices}, "reference")
    assert selected == [("SAX", i) for i in sax]


def test_reference_takes_long_axes_first_in_4ch_2ch_3ch_order():
    views = {"SAX": 10, "3CH": 1, "2CH": 1, "4CH": 1}
    assert select_videos(views, "reference") == [
        ("4CH", 0), ("2CH", 0), ("3CH", 0), ("SAX", 1), ("SAX", 3), ("SAX", 5), ("SAX", 7)]


def test_reference_takes_the_long_axes_present():
    assert select_videos({"2CH": 1}, "reference") == [("2CH", 0)]
    assert select_videos({"3CH": 1, "SAX": 3}, "reference") == [("3CH", 0), ("SAX", 0),
                                                                ("SAX", 2)]


@pytest.mark.parametrize(("n_slices", "half"), [(1, 1), (2, 1), (5, 3), (9, 5), (10, 5),
                                                 (14, 7)])
def test_random_half_keeps_half_the_sax_slices_rounded_up_and_every_long_axis(n_slices, half):
    selected = select_videos({"4CH": 1, "2CH": 1, "3CH": 1, "SAX": n_slices}, "random-half-sax",
                             np.random.default_rng(0))
    assert selected[:3] == [("4CH", 0), ("2CH", 0), ("3CH", 0)]
    sax = [i for view, i in selected if view == "SAX"]
    assert len(sax) == half and sax == sorted(set(sax)) and set(sax) <= set(range(n_slices))


def test_random_half_is_fixed_by_the_seed_and_varies_between_seeds():
    def draw(seed):
        return select_videos({"SAX": 12}, "random-half-sax", np.random.default_rng(seed))

    assert draw(7) == draw(7)
    assert len({tuple(draw(seed)) for seed in range(20)}) > 10


def test_random_half_without_sax_keeps_the_long_axes():
    assert select_videos({"4CH": 1}, "random-half-sax", np.random.default_rng(0)) == [("4CH", 0)]


def test_all_takes_every_slice_of_every_view():
    assert select_videos({"SAX": 3, "4CH": 2}, "all") == [("4CH", 0), ("4CH", 1), ("SAX", 0),
                                                          ("SAX", 1), ("SAX", 2)]


def test_unknown_policy_and_missing_rng_are_errors_that_name_the_fix():
    with pytest.raises(ValueError, match="choose one of"):
        select_videos({"SAX": 3}, "every-third")
    with pytest.raises(ValueError, match="rng=np.random.default_rng"):
        select_videos({"SAX": 3}, "random-half-sax")
