"""TERYT gmina codes: structure WWPPGGR (GUS TERC) and the packaged names of 20 cities."""

import pytest

from service.teryt import TerytError, describe_teryt, gmina_name, is_valid_teryt, validate_teryt


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("1465011", "Warszawa"),
        ("0663011", "Lublin"),  # Lublin's powiat is 0663 (0664 is Zamość)
        ("0664011", "Zamość"),
        ("1863011", "Rzeszów"),
        ("1261011", "Kraków"),
        ("2469011", "Katowice"),
        ("0264011", "Wrocław"),
    ],
)
def test_real_city_codes_are_valid_and_named(code, name):
    assert validate_teryt(code) == code
    assert gmina_name(code) == name


def test_rural_and_urban_rural_codes_are_valid_but_unnamed():
    # structurally valid: a rural gmina (type 2) in powiat 0602 and an urban-rural one (type 3) in 0614;
    # the packaged name list covers only the 20 reference cities
    assert validate_teryt("0602012") == "0602012"
    assert validate_teryt("0614033") == "0614033"
    assert gmina_name("0602012") is None


def test_separators_are_dropped():
    assert validate_teryt("14 65 01-1") == "1465011"


def test_describe_splits_the_code():
    info = describe_teryt("0663011")
    assert (info.voivodeship_code, info.voivodeship, info.powiat_code) == ("06", "lubelskie", "0663")
    assert info.gmina_type == "1" and info.city_with_powiat_rights and info.name == "Lublin"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("146501", "7 digits, it has 6"),
        ("14650111", "it has 8"),
        ("", "empty"),
        ("14a5011", "digits only"),
        ("１４６５０１１", "digits only"),  # full-width digits are not ASCII digits
        ("0163011", "01 is not a voivodeship"),
        ("3463011", "34 is not a voivodeship"),
        ("0763011", "07 is not a voivodeship"),
        ("1400011", "powiat 00"),
        ("1465001", "gmina 00"),
        ("1465016", "not a gmina type"),
        ("1465070", "not a gmina type"),
        ("1465038", "district of Warsaw"),
        ("1261029", "delegatura"),
        ("1465022", "ends in 011"),
    ],
)
def test_bad_codes_are_rejected_with_the_reason(code, fragment):
    with pytest.raises(TerytError, match=fragment):
        validate_teryt(code)
    assert not is_valid_teryt(code)


def test_int_is_rejected_because_it_loses_the_leading_zero():
    with pytest.raises(TerytError, match="must be text"):
        validate_teryt(663011)
    assert issubclass(TerytError, ValueError)
