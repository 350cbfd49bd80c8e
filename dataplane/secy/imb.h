// Includes intel-ipsec-mb.h without its 0.53 compatibility macros (they clash with OpenSSL's SHA1).
#pragma once

#ifndef NO_COMPAT_IMB_API_053
#define NO_COMPAT_IMB_API_053
#endif
#include <intel-ipsec-mb.h>
