/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-runtime.h"

G_BEGIN_DECLS

#define SERO_TYPE_RUNTIME_HOST (sero_runtime_host_get_type ())

G_DECLARE_FINAL_TYPE (SeroRuntimeHost, sero_runtime_host, SERO, RUNTIME_HOST, SeroRuntime)

SeroRuntime *sero_runtime_host_new              (SeroWorkspace *workspace);
GStrv        sero_runtime_host_filter_environ   (const char * const *environ_);

G_END_DECLS
