"""nn.datasets.load_csv on files written here: classes, names, regression, and every kind of bad CSV."""
from __future__ import annotations

import re

import numpy as np
import pytest

from nn import datasets


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_labels_become_sorted_class_indices_with_their_names(tmp_path):
    path = write(tmp_path, "x1, x2 ,label\n1,2,setosa\n-0.5,3e-1,virginica\r\n\n4.25,-1,setosa\n")
    table = datasets.load_csv(path)
    assert table.X.tolist() == [[1.0, 2.0], [-0.5, 0.3], [4.25, -1.0]]
    assert table.y.tolist() == [0, 1, 0]
    assert table.y.dtype.kind == "i"
    assert table.feature_names == ("x1", "x2")
    assert table.class_names == ("setosa", "virginica")
    X, y = table  # unpacks like every loader
    assert X is table.X
    assert y is table.y


def test_whole_number_labels_keep_their_numeric_order_and_any_column_can_be_the_target(tmp_path):
    path = write(tmp_path, "\ufeffgrade,height\n10,1.5\n2,1.7\n2.0,1.1\n9,0.2\n")
    table = datasets.load_csv(path, target="grade")
    assert table.class_names == ("2", "9", "10")
    assert table.y.tolist() == [2, 0, 0, 1]
    assert table.feature_names == ("height",)
    assert table.X.shape == (4, 1)


def test_fractional_targets_make_a_regression(tmp_path):
    path = write(tmp_path, "a,b,price\n1,2,3.5\n4,5,6\n")
    table = datasets.load_csv(path, target="price")
    assert table.class_names is None
    assert table.y.tolist() == [3.5, 6.0]
    assert table.y.dtype == float
    whole = write(tmp_path, "a,price\n1,3\n2,4\n", "whole.csv")
    assert datasets.load_csv(whole, target="price", regression=True).y.tolist() == [3.0, 4.0]
    assert datasets.load_csv(whole, target="price").class_names == ("3", "4")


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty; expected a header row"),
    ("\n \n", "empty; expected a header row"),
    ("x1,x2,label\n", "a header but no rows of data"),
    ("x1,x2,y\n1,2,a\n", "no target column 'label'; the columns are x1, x2, y"),
    ("0.5,1.2,1\n0.1,0.3,0\n", r"first row is numbers \(0.5, 1.2, 1\), not a header: .* e.g. x1,x2,label"),
    ("label\na\n", "only the target column 'label'"),
    ("x1,,label\n1,2,a\n", "the header's column 2 has no name"),
    ("x1,x1,label\n1,2,a\n", "names column 'x1' twice"),
    ("x1,x2,label\n1,2,a\n3,4\n", r"row 2 \(line 3\) has 2 cells; the header has 3"),
    ("x1,x2,label\n1,2,a,9\n", r"row 1 \(line 2\) has 4 cells"),
    ("x1,x2,label\n1,2,a\n\n3,abc,b\n", r"row 2 \(line 4\), column 'x2': 'abc' is not a number"),
    ("x1,x2,label\n1,,a\n", r"row 1 \(line 2\), column 'x2': '' is not a number"),
    ("x1,x2,label\n1,1_0,a\n", "column 'x2': '1_0' is not a number"),
    ("x1,x2,label\n1,nan,a\n", "column 'x2': 'nan' is not a finite number"),
    ("x1,x2,label\ninf,1,a\n", "column 'x1': 'inf' is not a finite number"),
    ("x1,x2,label\n1,1e999,a\n", "column 'x2': '1e999' is not a finite number"),
    ("x1,x2,label\n1,2,\n", "column 'label': the target is empty"),
    ("x1,label\n1,2\n2,inf\n", r"row 2 \(line 3\), column 'label': 'inf' is not a finite number"),
    ('x1,label\n1,"a\n', "not readable as CSV"),
])
def test_bad_csv_files_are_one_line_naming_row_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        datasets.load_csv(path)
    assert "\n" not in str(error.value)
    assert str(path) in str(error.value)


def test_files_over_the_size_limit_and_folders_are_refused(tmp_path):
    path = write(tmp_path, "x1,label\n" + "1,a\n" * 100)
    with pytest.raises(ValueError, match="is 409 bytes, more than the limit of 100 bytes"):
        datasets.load_csv(path, max_bytes=100)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(OSError, match="not a regular file"):
        datasets.load_csv(tmp_path / "folder.csv")


def test_not_utf8_and_regression_on_text_are_named(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("x1,label\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8 text"):
        datasets.load_csv(path)
    text = write(tmp_path, "x1,label\n1,cat\n")
    with pytest.raises(ValueError, match="'cat' is not a number \\(a regression needs numeric targets\\)"):
        datasets.load_csv(text, regression=True)


def test_too_many_whole_number_classes_points_to_regression(tmp_path):
    path = write(tmp_path, "x1,age\n" + "".join(f"{i},{i}\n" for i in range(150)))
    with pytest.raises(ValueError, match="150 distinct labels, more than 100 classes"):
        datasets.load_csv(path, target="age")
    assert np.array_equal(datasets.load_csv(path, target="age", regression=True).y, np.arange(150.0))


def test_big_whole_number_labels_stay_distinct_and_exact(tmp_path):
    path = write(tmp_path, "x1,id\n1,9007199254740993\n2,9007199254740992\n3,9007199254740993\n4,2.0\n")
    table = datasets.load_csv(path, target="id")  # as floats the two big ids are one number
    assert table.class_names == ("2", "9007199254740992", "9007199254740993")
    assert table.y.tolist() == [2, 1, 2, 0]


@pytest.mark.parametrize(("text", "message"), [
    ("x1,label\n1,1e300\n2,3\n", r"row 1 \(line 2\), column 'label': the class name '1000.* is 301 characters"),
    ('x1,label\n1,"a\nb"\n2,c\n', r"row 1 \(line 2\), column 'label': the class name 'a\\nb' is not printable"),
    ('x1,"lab\x1b[31mel"\n1,a\n2,b\n', r"the header's column 2 .* is not printable"),
    ("x1," + "y" * 201 + "\n1,a\n2,b\n", r"the header's column 2 .* 201 characters, more than 200"),
])
def test_names_a_model_file_could_not_keep_are_refused_naming_where(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        datasets.load_csv(path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_of_another_separator_is_named(tmp_path, separator):
    path = write(tmp_path, separator.join(["x1", "x2", "label"]) + "\n1" + separator + "2" + separator + "a\n")
    with pytest.raises(ValueError, match=re.escape(f"its header is one column holding {separator!r}: "
                                                   "load_csv reads comma-separated values")):
        datasets.load_csv(path)


def test_a_wide_file_is_read_in_linear_time_and_its_columns_listed_briefly(tmp_path):
    columns = [f"c{i}" for i in range(20_000)]  # the duplicate check was quadratic: minutes at 70,000
    path = write(tmp_path, ",".join(columns) + "\n" + ",".join("1" for _ in columns) + "\n")
    with pytest.raises(ValueError, match=r"the columns are c0, c1, .*, c23, … \(20,000 in all\) \(choose") as error:
        datasets.load_csv(path)
    assert len(str(error.value)) < 400
