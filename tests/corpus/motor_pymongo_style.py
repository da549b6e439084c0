# In the style of the Motor asyncio tutorial, the MongoDB FastAPI example app and
# PyMongo's async tutorial (AsyncMongoClient).
import os
import pprint

import motor.motor_asyncio
from bson import ObjectId
from fastapi import FastAPI, HTTPException
from pymongo import AsyncMongoClient, MongoClient, ReturnDocument

MONGODB_URL = os.environ.get("MONGODB_URL", "mongodb://localhost:27017")
client = motor.motor_asyncio.AsyncIOMotorClient(MONGODB_URL)
db = client.college
student_collection = db.get_collection("students")

app = FastAPI()


async def do_insert():
    result = await db.test_collection.insert_one({"key": "value"})
    print("result %s" % repr(result.inserted_id))
    await db.test_collection.insert_many([{"i": i} for i in range(2000)])


async def do_find():
    cursor = db.test_collection.find({"i": {"$lt": 5}}).sort("i")  # ok: ADB102
    cursor.limit(100)  # ok: ADB101
    for document in await cursor.to_list(length=100):  # ok: ADB103
        pprint.pprint(document)
    async for document in db.test_collection.find({"i": {"$lt": 2}}):  # ok: ADB103
        pprint.pprint(document)


async def do_aggregate():
    pipeline = [{"$group": {"_id": "$major", "count": {"$sum": 1}}}]
    async for doc in student_collection.aggregate(pipeline):  # ok: ADB102
        print(doc)


async def enroll(student: dict, course_id: str):
    async with await client.start_session() as s:  # ok: ADB104
        async with s.start_transaction():
            await student_collection.insert_one(student, session=s)
            await db.courses.update_one({"_id": ObjectId(course_id)}, {"$inc": {"seats": -1}}, session=s)


async def unenroll(student_id: str, course_id: str):
    async with await client.start_session() as s:
        with s.start_transaction():  # expect: ADB104
            await student_collection.delete_one({"_id": ObjectId(student_id)}, session=s)
            await db.courses.update_one({"_id": ObjectId(course_id)}, {"$inc": {"seats": 1}}, session=s)


@app.get("/students/{id}")
async def show_student(id: str):
    student = student_collection.find_one({"_id": ObjectId(id)})  # expect: ADB102
    if student is not None:
        return student
    raise HTTPException(status_code=404, detail=f"Student {id} not found")


@app.get("/students/")
async def list_students():
    return {"students": await student_collection.find().to_list(1000)}


@app.put("/students/{id}")
async def update_student(id: str, student: dict):
    update_result = await student_collection.find_one_and_update(
        {"_id": ObjectId(id)}, {"$set": student}, return_document=ReturnDocument.AFTER
    )
    return update_result


@app.delete("/students/{id}")
async def delete_student(id: str):
    student_collection.delete_one({"_id": ObjectId(id)})  # expect: ADB101
    return {"deleted": id}


@app.get("/majors")
async def majors():
    local = motor.motor_asyncio.AsyncIOMotorClient(MONGODB_URL)  # expect: ADB201
    names = await local.college.students.distinct("major")
    local.close()  # ok: ADB101
    return names


@app.get("/honors")
async def honors():
    return [s["name"] for s in student_collection.find({"gpa": {"$gte": 3.8}})]  # expect: ADB103


# --- PyMongo's own async API ---------------------------------------------------------
async def pymongo_async():
    async with AsyncMongoClient("mongodb://localhost:27017") as aclient:
        coll = aclient.test_database.test_collection
        await coll.insert_one({"x": 1})
        async for doc in coll.find({"x": {"$gt": 0}}):  # ok: ADB102
            print(doc)
        cursor = await coll.aggregate([{"$match": {"x": 1}}])
        async for doc in cursor:  # ok: ADB103
            print(doc)
        async for doc in coll.aggregate([{"$group": {"_id": "$x"}}]):  # expect: ADB102
            print(doc)
        async with aclient.start_session() as session:
            async with await session.start_transaction():
                await coll.insert_one({"x": 2}, session=session)


def pymongo_sync_report():
    # The sync twin, from a management command.
    sync_client = MongoClient(MONGODB_URL)
    coll = sync_client.college.students
    coll.insert_one({"name": "report"})  # ok: ADB101
    for doc in coll.find({}):  # ok: ADB103
        print(doc)
    sync_client.close()
