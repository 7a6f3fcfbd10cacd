"""The scenario as frozen data (simulator/scenario/carrier_model.py): the package exports
its names, with the loader's."""

from __future__ import annotations

import simulator.scenario as scenario_package
import simulator.scenario.carrier_model as model_module


def test_the_package_exports_what_it_lists() -> None:
    exported = {name for name in dir(scenario_package) if not name.startswith("_")}
    assert set(scenario_package.__all__) <= exported
    assert set(model_module.__all__) <= set(scenario_package.__all__)
    assert {"load", "loads", "ScenarioError", "Problem"} <= set(scenario_package.__all__)
