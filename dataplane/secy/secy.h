// The SecY library's public surface in one include.
#pragma once

#include "cipher_suite.h"
#include "config.h"
#include "counters.h"
#include "engine.h"
#include "frame.h"
#include "protect.h"
#include "sa.h"
#include "sa_key.h"
#include "sectag.h"
#include "validate.h"
