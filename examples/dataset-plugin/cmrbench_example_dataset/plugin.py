"""The module the entry point names: one DatasetSpec for the 'example-cine' layout."""

from pathlib import Path

from cmrbench import DatasetSpec, hookimpl

from cmrbench_example_dataset.layout import decode, discover

CARD = Path(__file__).with_name("card.yaml")


@hookimpl
def cmrbench_datasets():
    # labels must agree with the card's; views are the ones decode can return
    return [DatasetSpec(name="example-cine",
                        description="Example cohort: NIfTI SAX cines, LVEF from labels.csv",
                        discover=discover, decode=decode, views=("SAX",),
                        labels={"lvef": "continuous", "edv_ml": "continuous",
                                "esv_ml": "continuous"},
                        card=CARD)]
