"""Integer codes shared by every module (status in a forum, World Bank income groups)."""

import numpy as np

NONE, APPLICANT, PARTNER, MEMBER = 0, 1, 2, 3
STATUS_NAMES = ("none", "applicant", "partner", "member")

LOW_INCOME, LOWER_MIDDLE_INCOME, UPPER_MIDDLE_INCOME, HIGH_INCOME = 0, 1, 2, 3
INCOME_GROUPS = ("low", "lower_middle", "upper_middle", "high")
# World Bank FY2025 thresholds (GNI per capita, Atlas method, US$): low <= 1,145 < lower-middle
# <= 4,515 < upper-middle <= 14,005 < high. Applied to changes in GDP per capita.
INCOME_THRESHOLDS = np.array([1145.0, 4515.0, 14005.0])
