/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-types.h"
#include "sero-diagnostics.h"
#include "sero-env-file.h"
#include "sero-json-file.h"
#include "sero-layout.h"
#include "sero-log.h"
#include "sero-paths.h"
#include "sero-profile.h"
#include "sero-profile-registry.h"
#include "sero-redact.h"
