// baton: MPI-style parallel programs in C++20, on simulated ranks or on MPI.
#pragma once

#include <baton/at_most.hpp>
#include <baton/cartesian.hpp>
#include <baton/clock.hpp>
#include <baton/communicator.hpp>
#include <baton/datatype.hpp>
#include <baton/errors.hpp>
#include <baton/ops.hpp>
#include <baton/output.hpp>
#include <baton/ragged.hpp>
#include <baton/request.hpp>
#include <baton/run.hpp>
#include <baton/sim.hpp>
#include <baton/status.hpp>
#include <baton/trace.hpp>
