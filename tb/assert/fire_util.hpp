// Shared checks of the assertion fire tests (tb/assert/).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

// Exactly the assertion `key` (module.Label) fired, nothing else; the message names what fired instead.
#define EXPECT_ONLY_FIRED(model, key) \
  EXPECT_EQ((model).firedAssertions(), std::vector<std::string>{key}) << "fired: " << (model).assertions().summary()
// Nothing fired (yet): the set-up of a fire test is legal.
#define EXPECT_NONE_FIRED(model) \
  EXPECT_TRUE((model).firedAssertions().empty()) << "fired: " << (model).assertions().summary()
