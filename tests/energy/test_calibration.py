"""Degree-day normalisation by hand."""

from numpy.testing import assert_allclose

from energy.calibration import weather_normalise


def test_weather_normalise_by_hand():
    # 80 % weather dependent, metered year 10 % warmer (HDD 2500 vs typical 2775)
    assert_allclose(weather_normalise(100_000, 0.8, 2500, 2775), 100_000 * (0.8 * 2775 / 2500 + 0.2))
    assert_allclose(weather_normalise([50.0], [0.0], [2000], [3000]), [50.0])  # not weather dependent
