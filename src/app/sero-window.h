/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero-application.h"

G_BEGIN_DECLS

#define SERO_TYPE_WINDOW (sero_window_get_type ())

G_DECLARE_FINAL_TYPE (SeroWindow, sero_window, SERO, WINDOW, AdwApplicationWindow)

SeroWindow *sero_window_new (SeroApplication *application);

G_END_DECLS
