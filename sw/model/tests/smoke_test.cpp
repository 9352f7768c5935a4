#include <gtest/gtest.h>
#include "sw/model/machine.hpp"
TEST(Smoke, Builds) { EXPECT_TRUE(true); }
