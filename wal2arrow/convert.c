/* placeholder, filled in by the next commit */
#include "postgres.h"
