"""The bundled scenario as a loader builds it, for tests that run whole scenarios."""

from __future__ import annotations

from impact_screen.inputs import bundled_files
from portfolio.scenario import ScenarioInputs, SolveSettings, scenario_inputs
from screening import InputFile, bundled_reference, load_mandate
from screening.reading import bundled
from screening.stability import StabilitySettings

FAST = SolveSettings(frontier_points=2)
SCREEN = StabilitySettings(draws=500)


def bundled_scenario(
    screen: StabilitySettings = SCREEN, solve: SolveSettings = FAST, **files: InputFile
) -> ScenarioInputs:
    """The bundled scenario (fewer draws and frontier points unless told), with some files
    replaced by role."""
    reference = bundled_reference()
    return scenario_inputs(
        bundled.read(bundled.CANDIDATES),
        load_mandate(None, reference),
        reference,
        bundled_files(reference) | files,
        screen=screen,
        solve=solve,
    )
