# In the style of Django's async views documentation, with asyncpg for a reporting
# database next to the ORM: function views and class-based views.
import asyncpg
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.http import require_GET

_reporting_pool = None


async def reporting_pool() -> asyncpg.Pool:
    global _reporting_pool
    if _reporting_pool is None:
        _reporting_pool = await asyncpg.create_pool(settings.REPORTING_DSN, min_size=1, max_size=5)
    return _reporting_pool


@require_GET
async def sales_summary(request: HttpRequest) -> JsonResponse:
    pool = await reporting_pool()
    async with pool.acquire() as connection:
        rows = await connection.fetch("SELECT region, sum(total) AS total FROM sales GROUP BY region")
    return JsonResponse({"regions": [dict(row) for row in rows]})


async def sales_for_region(request: HttpRequest, region: str) -> JsonResponse:
    pool = await reporting_pool()
    async with pool.acquire() as connection:
        row = await connection.fetchrow("SELECT sum(total) AS total FROM sales WHERE region = $1", region)
    if row is None:
        raise Http404("unknown region")
    return JsonResponse({"region": region, "total": row["total"]})


async def top_customers(request: HttpRequest) -> JsonResponse:
    limit = request.GET.get("limit", "10")
    pool = await reporting_pool()
    async with pool.acquire() as connection:
        rows = await connection.fetch("SELECT name, total FROM customer_totals ORDER BY total DESC LIMIT %s" % limit)  # expect: ADB402
    return JsonResponse({"customers": [dict(row) for row in rows]})


async def export_csv(request: HttpRequest) -> HttpResponse:
    connection = await asyncpg.connect(settings.REPORTING_DSN)  # expect: ADB201
    try:
        rows = await connection.fetch("SELECT region, total FROM sales")
    finally:
        await connection.close()
    body = "\n".join(f"{row['region']},{row['total']}" for row in rows)
    return HttpResponse(body, content_type="text/csv")


async def refresh(request: HttpRequest) -> HttpResponse:
    pool = await reporting_pool()
    async with pool.acquire() as connection:
        connection.execute("REFRESH MATERIALIZED VIEW customer_totals")  # expect: ADB101
    return HttpResponse(status=204)


class DashboardView(View):
    async def get(self, request: HttpRequest) -> JsonResponse:
        pool = await reporting_pool()
        async with pool.acquire() as connection:
            today = await connection.fetchval("SELECT sum(total) FROM sales WHERE day = current_date")
        return JsonResponse({"today": today})


class ArchiveView(View):
    async def post(self, request: HttpRequest) -> HttpResponse:
        pool = await asyncpg.create_pool(settings.REPORTING_DSN)  # expect: ADB201
        async with pool.acquire() as connection:
            await connection.execute("INSERT INTO sales_archive SELECT * FROM sales WHERE day < current_date - 365")
        await pool.close()
        return HttpResponse(status=202)
